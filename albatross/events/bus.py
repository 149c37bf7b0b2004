"""Is a region's message bus answering? A connect-and-close with a short timeout, so the
indicators can show a region whose notifications cannot arrive, not only one whose API is
down. (The listeners themselves reconnect on their own and then consume what the broker kept.)"""
from urllib.parse import urlsplit


def unreachable(url: str, timeout: float = 3.0) -> str | None:
    """None when the broker accepts a connection, else why not (never the URL: it holds a
    password). Only RabbitMQ URLs are probed; other transports count as reachable."""
    scheme = urlsplit(url).scheme
    if scheme not in ("rabbit", "amqp"):
        return None
    import kombu  # installed with oslo.messaging and Celery
    conn = kombu.Connection(url.replace("rabbit://", "amqp://", 1), connect_timeout=timeout)
    try:
        conn.connect()
        return None
    except Exception as exc:
        return f"message bus unreachable ({type(exc).__name__})"
    finally:
        conn.release()
