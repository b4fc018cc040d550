"""Tests of admin_app/admin/views/."""
