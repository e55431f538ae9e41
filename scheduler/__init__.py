"""Durable follow-up reminders and group check-ins (the next release).

The core already stores each plan's reminders with their due times; this
package will claim and deliver them through the adapters.
"""
