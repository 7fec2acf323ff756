"""Scheduled jobs: the daily sweep and the purge of closed practices."""
