"""The Piccolo app holding every niis table and its migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="niis",
    migrations_folder_path=str(Path(__file__).parent / "migrations"),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
