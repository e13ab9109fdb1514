"""Demo data for a first look at the service: the Yiwu association's matching round for the
2027 spring season with Yiwu's colleges, training providers and small-commodity firms, and the
county, city and provincial governments that fund it, all verified, loaded into an empty
database when ``talentmatch serve`` starts."""

from talentmatch.platform.demo.load import (
    LOGINS_FILE,
    DemoError,
    DemoLogin,
    DemoStart,
    ensure_demo,
    format_logins,
    load_demo,
    one_per_kind,
    read_logins,
    write_logins,
)

__all__ = [
    "LOGINS_FILE",
    "DemoError",
    "DemoLogin",
    "DemoStart",
    "ensure_demo",
    "format_logins",
    "load_demo",
    "one_per_kind",
    "read_logins",
    "write_logins",
]
