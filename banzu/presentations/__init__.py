"""The live presentation event (现场发布会), issue 14. For now its pure cores: the recorded draw
(draw.py) and the server-kept stage timer (timer.py); the app around them comes next."""
