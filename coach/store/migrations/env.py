"""Alembic environment of the store.

The store runs migrations itself (`coach.store.engine.upgrade`), handing over
an open connection in `config.attributes["connection"]`, inside a transaction
that already holds the migration lock. Run by hand (to write a new revision,
see the docstring of `coach/store/engine.py`), it connects to `sqlalchemy.url`
or, failing that, to the store the settings point at.
"""

from __future__ import annotations

from alembic import context

from coach.store.schema import Base, include_name

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from coach.config import get_settings

    return get_settings().sqlalchemy_url()


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from coach.store.engine import make_engine

    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite alters tables by copying them: let future migrations use batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
