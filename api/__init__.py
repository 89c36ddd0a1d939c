"""Gongzhi service: app, settings, database, services, CLI."""
