"""Bounceback on Slack (slack-bolt): listeners, Block Kit rendering, the reminder transport."""
