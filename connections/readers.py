"""Reading rows from a connection, within the safety rules of issue 16:

- SQL runs exactly one SELECT (a second statement is refused before anything is sent, and
  the drivers, psycopg's extended protocol, PyMySQL and sqlite3, refuse multi-statement
  text too) in a read-only transaction (PostgreSQL `SET TRANSACTION READ ONLY`, MySQL and
  MariaDB `SET SESSION TRANSACTION READ ONLY`, SQLite opened read-only) with a statement
  timeout and a row cap;
- SQL and HTTP hosts must be on SIGHTLINE_CONNECTION_HOSTS; HTTP has a timeout, a size cap
  and follows no redirect to another host;
- files (and SQLite databases) live under SIGHTLINE_CONNECTION_FILE_ROOT, and a path cannot
  leave it; CSV and XLSX are read by the spreadsheet import's hardened reader.

Every refusal is a ReadFailed whose message a manager understands; no message carries the
connection's secret."""

import contextlib
import ipaddress
import json
import sqlite3
import time
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from connections.models import Connection
from connections.secrets import SecretUnreadable
from kpis.imports import ImportRefused
from kpis.imports.files import read_grid

NOT_ONE_SELECT = "The query must be one SELECT statement (it may start with WITH)."
SECOND_STATEMENT = "The query holds more than one statement: only one SELECT is run."
UNCLOSED = "The query has an unclosed quote or comment."
READ_ONLY = "The query tried to write, and connections only read: {problem}"
TIMED_OUT = "The query ran longer than {seconds:g} s (SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS)."
TOO_MANY_ROWS = (
    "The source returned more than {limit:,} rows (SIGHTLINE_CONNECTION_MAX_ROWS): narrow the "
    "query."
)
SQL_FAILED = "The database refused the query: {problem}"
CANNOT_CONNECT = "Could not connect to the database: {problem}"
UNSUPPORTED_DRIVER = (
    'Database "{driver}" is not supported here: use postgresql+psycopg://, '
    "mysql+pymysql:// (MySQL or MariaDB, with the optional driver installed) or sqlite:///."
)
NO_MYSQL_DRIVER = (
    "MySQL and MariaDB need the optional driver: pip install pymysql (README, Data connections)."
)
BAD_URL = "The connection's URL cannot be read: {problem}"
HOST_NOT_ALLOWED = (
    'The host "{host}" is not on the list of hosts connections may reach '
    "(SIGHTLINE_CONNECTION_HOSTS); an administrator can add it."
)
OUTSIDE_ROOT = "The path leaves the connections folder: use a path inside it."
NO_FILE = 'No file "{path}" in the connections folder.'
WRONG_SCHEME = "Only http:// and https:// addresses can be fetched."
CROSS_HOST_REDIRECT = "The server redirected to another host ({host}), which is not followed."
TOO_MANY_REDIRECTS = "The server redirected too many times."
HTTP_TIMEOUT = "The server did not answer within {seconds} s (SIGHTLINE_CONNECTION_HTTP_TIMEOUT)."
UNREACHABLE = "The server could not be reached: {problem}"
HTTP_STATUS = "The server answered {status} {reason}."
TOO_LARGE = "The answer is larger than {limit:,} KB (SIGHTLINE_CONNECTION_MAX_BYTES): ask for less."
NOT_JSON = "The answer is not JSON: {problem}"
BAD_JMESPATH = "The rows expression cannot be read: {problem}"
ROWS_NOT_LIST = "The rows expression must select a list of objects; it selected {what}."
ROW_NOT_OBJECT = "Row {number} is not an object of named values."
NO_ROWS_EXPRESSION = "Say which rows to read: a JMESPath in options.rows or in the query."
FILE_TYPE = "A file connection reads .csv or .xlsx files."
MAX_REDIRECTS = 3


class ReadFailed(Exception):
    """The source could not be read; the message says why, in words."""


@dataclass
class Table:
    columns: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def read(connection: Connection, query: str) -> Table:
    """The rows the query selects from the connection (raises ReadFailed)."""
    try:
        secret = connection.secret()
    except SecretUnreadable as error:
        raise ReadFailed(str(error)) from None
    if connection.kind == Connection.Kind.SQL:
        return read_sql(connection.url, query, secret=secret)
    if connection.kind == Connection.Kind.FILE:
        sheet = query.strip() or str(connection.options.get("sheet", ""))
        return read_file(connection.url, sheet=sheet, secret=secret, options=connection.options)
    rows_expression = query.strip() or str(connection.options.get("rows", ""))
    return read_json(connection.url, rows_expression, secret=secret, options=connection.options)


def test(connection: Connection) -> None:
    """Reach the source as an import would (raises ReadFailed with what failed)."""
    if connection.kind == Connection.Kind.SQL:
        read(connection, "SELECT 1 AS ok")
    elif connection.kind == Connection.Kind.FILE:
        read(connection, "")
    else:
        # Any JSON answer will do: the rows are the import's choice.
        read_json_document(connection)


def max_rows() -> int:
    return settings.SIGHTLINE_CONNECTION_MAX_ROWS


def _capped(rows: list) -> list:
    if len(rows) > max_rows():
        raise ReadFailed(TOO_MANY_ROWS.format(limit=max_rows()))
    return rows


# SQL ---------------------------------------------------------------------------------------


def check_select(query: str) -> None:
    """Refuse anything but one SELECT (or WITH ... SELECT) statement, before it is sent.

    Quotes, quoted names, dollar quotes and comments are skipped, so a `;` inside a string
    is text; a `;` followed by anything but blanks and comments is a second statement. The
    read-only transaction stops a writing CTE that slips past the first word."""
    text = _without_literals(query)
    body, _, rest = text.partition(";")
    if rest.replace(";", "").strip():
        raise ReadFailed(SECOND_STATEMENT)
    words = body.split()
    if not words or words[0].lower() not in ("select", "with"):
        raise ReadFailed(NOT_ONE_SELECT)


def _without_literals(query: str) -> str:
    """The query with its strings, quoted names and comments blanked out."""
    out: list[str] = []
    index, length = 0, len(query)
    while index < length:
        char = query[index]
        pair = query[index : index + 2]
        if pair == "--":
            end = query.find("\n", index)
            index = length if end < 0 else end
            out.append(" ")
        elif pair == "/*":
            end = query.find("*/", index + 2)
            if end < 0:
                raise ReadFailed(UNCLOSED)
            index = end + 2
            out.append(" ")
        elif char in "'\"`":
            end = query.find(char, index + 1)
            # A doubled quote inside a literal is one quote: keep looking past it.
            while end >= 0 and query[end + 1 : end + 2] == char:
                end = query.find(char, end + 2)
            if end < 0:
                raise ReadFailed(UNCLOSED)
            index = end + 1
            out.append(" x ")
        elif char == "$":
            tag_end = query.find("$", index + 1)
            tag = query[index : tag_end + 1] if tag_end > 0 else ""
            if tag and (tag == "$$" or tag[1:-1].isidentifier()):
                end = query.find(tag, tag_end + 1)
                if end < 0:
                    raise ReadFailed(UNCLOSED)
                index = end + len(tag)
                out.append(" x ")
            else:
                out.append(char)
                index += 1
        else:
            out.append(char)
            index += 1
    return "".join(out)


def read_sql(url: str, query: str, *, secret: str = "") -> Table:
    check_select(query)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as error:
        raise ReadFailed(BAD_URL.format(problem=error)) from None
    backend = sql_backend(parsed)
    if backend == "sqlite":
        return _read_sqlite(parsed.database or "", query)
    check_host(parsed.host or "")
    if secret:
        parsed = parsed.set(password=secret)
    if backend == "mysql":
        return _read_mysql(parsed, query)
    return _read_postgresql(parsed.set(drivername="postgresql+psycopg"), query)


def sql_backend(parsed: Any) -> str:
    """ "sqlite", "postgresql" or "mysql" (MySQL and MariaDB) for a URL Sightline reads, with
    the driver it reads through; any other database or driver is refused in words."""
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite":
        return "sqlite"
    if backend == "postgresql" and driver in ("psycopg", "postgresql"):
        return "postgresql"
    if backend in ("mysql", "mariadb") and driver in ("pymysql", backend):
        return "mysql"
    raise ReadFailed(UNSUPPORTED_DRIVER.format(driver=parsed.drivername))


def _read_postgresql(url: Any, query: str) -> Table:
    import psycopg
    from sqlalchemy import create_engine, exc
    from sqlalchemy.pool import NullPool

    timeout_ms = settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS
    connect_timeout = max(1, min(settings.SIGHTLINE_CONNECTION_HTTP_TIMEOUT, timeout_ms // 1000))
    engine = create_engine(
        url,
        poolclass=NullPool,
        connect_args={"connect_timeout": connect_timeout, "application_name": "sightline"},
    )
    try:
        try:
            connection = engine.connect()
        except exc.DBAPIError as error:
            raise ReadFailed(CANNOT_CONNECT.format(problem=_first_line(error.orig))) from None
        with connection:
            try:
                # The first statements of the transaction SQLAlchemy begins: read only, and
                # a timeout that ends with it.
                connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                connection.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                table = _prepared(connection, query)
            except exc.DBAPIError as error:
                raise _sql_failure(error.orig, timeout_ms) from None
            except psycopg.Error as error:
                raise _sql_failure(error, timeout_ms) from None
            finally:
                connection.rollback()
    finally:
        engine.dispose()
    return table


# MySQL and MariaDB error numbers: a statement in a read-only transaction that writes, and
# a statement stopped by max_execution_time (MySQL) or max_statement_time (MariaDB).
MYSQL_READ_ONLY = 1792
MYSQL_TIMED_OUT = (3024, 1969)


def _read_mysql(url: Any, query: str) -> Table:
    """MySQL or MariaDB through PyMySQL (an optional driver): a session whose transactions
    are read only, with the server's own statement timeout and a socket timeout behind it;
    PyMySQL does not enable multi-statement text, so the server refuses a second statement
    whatever our own check saw. Rows stream from the server (an unbuffered cursor), so the
    row cap holds before they are all in memory."""
    try:
        import pymysql
        import pymysql.cursors
    except ImportError:
        raise ReadFailed(NO_MYSQL_DRIVER) from None
    timeout_ms = settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS
    connect_timeout = max(1, min(settings.SIGHTLINE_CONNECTION_HTTP_TIMEOUT, timeout_ms // 1000))
    try:
        connection = pymysql.connect(
            host=url.host or "127.0.0.1",
            port=url.port or 3306,
            user=url.username or "",
            password=url.password or "",
            database=url.database or None,
            connect_timeout=connect_timeout,
            read_timeout=max(1, timeout_ms // 1000 + 5),
            charset="utf8mb4",
            cursorclass=pymysql.cursors.SSCursor,
        )
    except pymysql.Error as error:
        raise ReadFailed(CANNOT_CONNECT.format(problem=_mysql_message(error))) from None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            mariadb = "mariadb" in str(cursor.fetchone()[0]).lower()
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            if mariadb:
                cursor.execute(f"SET SESSION max_statement_time = {timeout_ms / 1000:.3f}")
            else:
                cursor.execute(f"SET SESSION max_execution_time = {int(timeout_ms)}")
        with connection.cursor() as cursor:
            cursor.execute(query)
            columns = [column[0] for column in cursor.description or []]
            rows = cursor.fetchmany(max_rows() + 1)
    except pymysql.Error as error:
        raise _mysql_failure(error, timeout_ms) from None
    finally:
        # An unbuffered cursor may leave rows behind: the socket closes either way.
        with contextlib.suppress(pymysql.Error):
            connection.close()
    _capped(rows)
    return Table(columns=columns, rows=[dict(zip(columns, row, strict=True)) for row in rows])


def _mysql_message(error: Any) -> str:
    args: tuple[Any, ...] = tuple(getattr(error, "args", ()))
    return str(args[1]) if len(args) > 1 else _first_line(error)


def _mysql_failure(error: Any, timeout_ms: int) -> ReadFailed:
    code = error.args[0] if getattr(error, "args", None) else None
    if code in MYSQL_TIMED_OUT:
        return ReadFailed(TIMED_OUT.format(seconds=timeout_ms / 1000))
    if code == MYSQL_READ_ONLY:
        return ReadFailed(READ_ONLY.format(problem=_mysql_message(error)))
    return ReadFailed(SQL_FAILED.format(problem=_mysql_message(error)))


def _sql_failure(error: Any, timeout_ms: int) -> ReadFailed:
    code = getattr(getattr(error, "diag", None), "sqlstate", None) or getattr(
        error, "sqlstate", None
    )
    if code == "57014":  # query_canceled: the statement timeout
        return ReadFailed(TIMED_OUT.format(seconds=timeout_ms / 1000))
    if code == "25006":  # read_only_sql_transaction
        return ReadFailed(READ_ONLY.format(problem=_first_line(error)))
    if "multiple commands" in str(error):
        return ReadFailed(SECOND_STATEMENT)
    return ReadFailed(SQL_FAILED.format(problem=_first_line(error)))


def _read_sqlite(database: str, query: str) -> Table:
    path = inside_root(database)
    if not path.is_file():
        raise ReadFailed(NO_FILE.format(path=database))
    timeout_ms = settings.SIGHTLINE_CONNECTION_SQL_TIMEOUT_MS
    try:
        # mode=ro: SQLite itself refuses every write; the URI form keeps the path as given.
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ReadFailed(CANNOT_CONNECT.format(problem=error)) from None
    deadline = time.monotonic() + timeout_ms / 1000
    # Called every thousand steps of the virtual machine: a true answer interrupts the query.
    connection.set_progress_handler(lambda: time.monotonic() > deadline, 1000)
    try:
        cursor = connection.execute(query)
        columns = [column[0] for column in cursor.description or []]
        rows = cursor.fetchmany(max_rows() + 1)
    except sqlite3.ProgrammingError as error:
        if "one statement" in str(error):
            raise ReadFailed(SECOND_STATEMENT) from None
        raise ReadFailed(SQL_FAILED.format(problem=error)) from None
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise ReadFailed(TIMED_OUT.format(seconds=timeout_ms / 1000)) from None
        if "readonly" in str(error):
            raise ReadFailed(READ_ONLY.format(problem=error)) from None
        raise ReadFailed(SQL_FAILED.format(problem=error)) from None
    except sqlite3.Error as error:
        raise ReadFailed(SQL_FAILED.format(problem=error)) from None
    finally:
        connection.close()
    _capped(rows)
    return Table(columns=columns, rows=[dict(zip(columns, row, strict=True)) for row in rows])


def _prepared(connection: Any, query: str) -> Table:
    """Run the query as a prepared statement, psycopg's extended protocol: PostgreSQL refuses
    to prepare text that holds more than one statement, whatever our own check saw. (Without
    parameters psycopg would send it by the simple protocol, which runs every statement.)"""
    driver = connection.connection.driver_connection
    with driver.cursor() as cursor:
        cursor.execute(query, prepare=True)
        columns = [column.name for column in cursor.description or []]
        rows = cursor.fetchmany(max_rows() + 1)
    _capped(rows)
    return Table(columns=columns, rows=[dict(zip(columns, row, strict=True)) for row in rows])


def _first_line(error: Any) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


# Hosts, paths and HTTP ---------------------------------------------------------------------


def check_host(host: str) -> None:
    """Refuse a host that is not on SIGHTLINE_CONNECTION_HOSTS. The list is the only way in:
    this machine's own and private addresses are refused like any other unless listed."""
    name = host.strip("[]").lower()
    for allowed in settings.SIGHTLINE_CONNECTION_HOSTS:
        allowed = allowed.strip("[]").lower()
        if name == allowed or (allowed.startswith("*.") and fnmatch(name, allowed)):
            return
        try:
            if ipaddress.ip_address(name) in ipaddress.ip_network(allowed, strict=False):
                return
        except ValueError:
            pass
    raise ReadFailed(HOST_NOT_ALLOWED.format(host=host or "(none)"))


def inside_root(relative: str) -> Path:
    """The path under SIGHTLINE_CONNECTION_FILE_ROOT (refused when it leaves the root,
    by `..`, an absolute path or a symbolic link)."""
    root = Path(settings.SIGHTLINE_CONNECTION_FILE_ROOT).resolve()
    candidate = Path(relative)
    if candidate.is_absolute():
        raise ReadFailed(OUTSIDE_ROOT)
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root):
        raise ReadFailed(OUTSIDE_ROOT)
    return resolved


def http_get(url: str, *, headers: dict[str, str] | None = None) -> bytes:
    """The body at the URL, within the timeout and the size cap, following redirects only on
    the same host (each checked against the allow-list again)."""
    import urllib3

    timeout = settings.SIGHTLINE_CONNECTION_HTTP_TIMEOUT
    limit = settings.SIGHTLINE_CONNECTION_MAX_BYTES
    pool = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=timeout, read=timeout), retries=False
    )
    origin = urlsplit(url)
    for _ in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise ReadFailed(WRONG_SCHEME)
        if (parts.hostname or "") != (origin.hostname or ""):
            raise ReadFailed(CROSS_HOST_REDIRECT.format(host=parts.hostname))
        check_host(parts.hostname or "")
        try:
            response = pool.request(
                "GET", url, headers=headers or {}, redirect=False, preload_content=False
            )
        except urllib3.exceptions.NewConnectionError as error:
            # Checked first: urllib3 counts a refused connection as a kind of timeout.
            raise ReadFailed(UNREACHABLE.format(problem=_reason(error))) from None
        except urllib3.exceptions.TimeoutError:
            raise ReadFailed(HTTP_TIMEOUT.format(seconds=timeout)) from None
        except urllib3.exceptions.HTTPError as error:
            raise ReadFailed(UNREACHABLE.format(problem=_reason(error))) from None
        try:
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status >= 400:
                raise ReadFailed(HTTP_STATUS.format(status=response.status, reason=response.reason))
            return _body_within(response, limit, timeout)
        finally:
            response.release_conn()
    raise ReadFailed(TOO_MANY_REDIRECTS)


def _body_within(response: Any, limit: int, timeout: int) -> bytes:
    import urllib3

    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ReadFailed(TOO_LARGE.format(limit=limit // 1024))
    body = bytearray()
    try:
        for chunk in response.stream(64 * 1024):
            body.extend(chunk)
            if len(body) > limit:
                raise ReadFailed(TOO_LARGE.format(limit=limit // 1024))
    except urllib3.exceptions.TimeoutError:
        raise ReadFailed(HTTP_TIMEOUT.format(seconds=timeout)) from None
    except urllib3.exceptions.HTTPError as error:
        raise ReadFailed(UNREACHABLE.format(problem=_reason(error))) from None
    return bytes(body)


def _reason(error: Any) -> str:
    reason = getattr(error, "reason", None) or error
    text = str(reason)
    # urllib3 prefixes its own object's repr ("<urllib3.connection...>: Failed to ..."): cut it.
    return text.split(">: ", 1)[-1]


def _secret_headers(secret: str, options: dict) -> dict[str, str]:
    """`options.header` names the header that carries the secret and the word before it:
    "Authorization: Bearer" (the default) sends `Authorization: Bearer <secret>`."""
    if not secret:
        return {}
    header = str(options.get("header") or "Authorization: Bearer")
    name, _, prefix = header.partition(":")
    value = f"{prefix.strip()} {secret}".strip()
    return {name.strip(): value}


# Files and JSON ----------------------------------------------------------------------------


def read_file(url: str, *, sheet: str = "", secret: str = "", options: dict) -> Table:
    name = urlsplit(url).path if "://" in url else url
    if not name.lower().endswith((".csv", ".xlsx")):
        raise ReadFailed(FILE_TYPE)
    if "://" in url:
        content = http_get(url, headers=_secret_headers(secret, options))
    else:
        path = inside_root(url)
        if not path.is_file():
            raise ReadFailed(NO_FILE.format(path=url))
        if path.stat().st_size > settings.SIGHTLINE_CONNECTION_MAX_BYTES:
            raise ReadFailed(
                TOO_LARGE.format(limit=settings.SIGHTLINE_CONNECTION_MAX_BYTES // 1024)
            )
        content = path.read_bytes()
    try:
        grid = read_grid(name=name, content=content, sheet=sheet)
    except ImportRefused as refusal:
        raise ReadFailed(str(refusal)) from None
    while grid and not any(cell.strip() for cell in grid[-1]):
        grid.pop()
    if not grid:
        return Table(columns=[])
    columns = [cell.strip() for cell in grid[0]]
    rows = [
        {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(columns)}
        for cells in grid[1:]
        if any(cell.strip() for cell in cells)
    ]
    return Table(columns=columns, rows=_capped(rows))


def read_json_document(connection: Connection) -> Any:
    try:
        secret = connection.secret()
    except SecretUnreadable as error:
        raise ReadFailed(str(error)) from None
    body = http_get(connection.url, headers=_secret_headers(secret, connection.options))
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ReadFailed(NOT_JSON.format(problem=error)) from None


def read_json(url: str, rows_expression: str, *, secret: str = "", options: dict) -> Table:
    import jmespath
    from jmespath.exceptions import JMESPathError

    if not rows_expression:
        raise ReadFailed(NO_ROWS_EXPRESSION)
    try:
        expression = jmespath.compile(rows_expression)
    except JMESPathError as error:
        raise ReadFailed(BAD_JMESPATH.format(problem=error)) from None
    body = http_get(url, headers=_secret_headers(secret, options))
    try:
        document = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ReadFailed(NOT_JSON.format(problem=error)) from None
    selected = expression.search(document)
    if not isinstance(selected, list):
        raise ReadFailed(ROWS_NOT_LIST.format(what=type(selected).__name__))
    _capped(selected)
    columns: list[str] = []
    for number, row in enumerate(selected, start=1):
        if not isinstance(row, dict):
            raise ReadFailed(ROW_NOT_OBJECT.format(number=number))
        columns.extend(key for key in row if key not in columns)
    return Table(columns=columns, rows=selected)


def check_jmespath(expression: str) -> None:
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        jmespath.compile(expression)
    except JMESPathError as error:
        raise ReadFailed(BAD_JMESPATH.format(problem=error)) from None
