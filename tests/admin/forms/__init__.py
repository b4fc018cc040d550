"""Tests of admin_app/admin/forms/."""
