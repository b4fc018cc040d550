"""Tests of admin_app/admin/changelist/."""
