"""[database]: the SQL database that holds jobs, tasks and resource mappings."""
from oslo_config import cfg

GROUP = "database"
OPTS = [
    cfg.StrOpt("connection", default="sqlite:///albatross.sqlite", secret=True,
               help="SQLAlchemy URL: sqlite:///path, postgresql+psycopg://..., "
                    "mysql+pymysql://... (SQLite is the embedded default)."),
    cfg.IntOpt("pool_size", default=10, min=1, help="Connections kept per process (not SQLite)."),
]


def register_opts(conf):
    conf.register_opts(OPTS, group=GROUP)
