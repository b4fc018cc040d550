"""The time machine: row images of users and events, restore, undo, history and purge.

Knows the database and the audit trail, no HTTP and no screen (the admin wing shows it).
"""
