"""The demo data, built through every stage's services (so it is always valid), and load_demo.
It sits on top of the stages: it may import all of them, and none imports it. Never for
production."""
