"""Durable follow-up reminders and group check-ins.

The outbox (outbox.py) holds every reminder; the dispatcher claims what is due
under a lease and delivers it through each adapter's Transport, within the
rate limits; APScheduler (ticker.py) only calls the dispatcher every second.
"""
