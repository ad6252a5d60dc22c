"""The demo: generated learners, events, exports and xAPI statements, landed and built end to end (`make demo`)."""
