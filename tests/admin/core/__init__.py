"""Tests of admin_app/admin/core/."""
