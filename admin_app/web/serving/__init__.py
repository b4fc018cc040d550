"""How a server process answers: how many requests it works out at once, its cycle collector,
compressed and content-addressed statics, links found once, and the page for a database outage."""
