"""The dashboard's pieces below its page handler: the filter form, the three-level tree, the charts."""
