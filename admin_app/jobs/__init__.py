"""Long work in the background: the queue engine behind one small interface (queue.py), the jobs
table staff see (store.py), result files kept in the database (files.py), notifications, and the
runner a worker calls (runner.py). Knows no screen: the panel registers the kinds of work."""
