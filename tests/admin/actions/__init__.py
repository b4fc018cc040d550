"""Tests of admin_app/admin/actions/."""
