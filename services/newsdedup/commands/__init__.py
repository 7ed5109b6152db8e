"""The commands a user runs that compose the other packages: the replay of a file and the demo.

They sit above the worker (app/) and the dashboard, which never import them.
"""
