"""Bounceback on Discord (discord.py): the command tree, rendering, buttons that survive
restarts, the reminder transport and the service that runs them."""
