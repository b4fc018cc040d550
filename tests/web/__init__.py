"""Tests of admin_app/web/: the HTTP shell."""
