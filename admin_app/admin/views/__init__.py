"""One module per screen: the panel's base model view, then users, events, staff accounts,
the audit log, change sets, recently deleted, record history, jobs, and each staff member's
own pages."""
