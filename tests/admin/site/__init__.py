"""Tests of admin_app/admin/site/."""
