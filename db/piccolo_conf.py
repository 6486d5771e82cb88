"""Piccolo's configuration module, for its migration machinery and CLI.

The app and the tests call ``db.engine.use()`` to replace ``DB`` with the engine
they were configured with.
"""

from piccolo.conf.apps import AppRegistry

from db.engine import engine_from_environment

DB = engine_from_environment()

APP_REGISTRY = AppRegistry(apps=["db.piccolo_app"])
