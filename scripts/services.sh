#!/usr/bin/env bash
# Source me. Makes PostgreSQL, MariaDB and RabbitMQ answer on their standard ports for the
# test suite: uses servers that already run, else installs (apt) and starts them. Exports
# ALBATROSS_TEST_PG_URL and ALBATROSS_TEST_MYSQL_URL. MariaDB is normally already there: the dev
# cloud uses the one on 3306 or starts its own (root without password, 127.0.0.1 only).
_svc_log() { echo "[services $(date +%H:%M:%S)] $*" >&2; }
_port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
_apt() {
  [ "$(id -u)" = 0 ] || { _svc_log "need root to install $*"; return 1; }
  [ -n "${_APT_UPDATED:-}" ] || { apt-get update -qq; _APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/dev/null
}
_wait_port() { for _ in $(seq 1 120); do _port_open "$1" && return 0; sleep 0.5; done; return 1; }

ensure_postgres() {
  if ! _port_open 5432; then
    command -v pg_ctlcluster >/dev/null || _apt postgresql
    local ver; ver=$(ls /etc/postgresql | sort -V | tail -1)
    _svc_log "starting PostgreSQL $ver"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    _wait_port 5432 || { _svc_log "PostgreSQL did not start"; return 1; }
  fi
  if PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -U postgres -tAc 'select 1' postgres >/dev/null 2>&1; then
    export ALBATROSS_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
  else  # a stock Debian server wants a password over TCP: make a test role through the socket
    su postgres -c "psql -tAc \"DO \\\$\\\$BEGIN CREATE ROLE albatross_test LOGIN SUPERUSER PASSWORD 'albatross'; EXCEPTION WHEN duplicate_object THEN NULL; END\\\$\\\$\"" >/dev/null
    export ALBATROSS_TEST_PG_URL="postgresql+psycopg://albatross_test:albatross@127.0.0.1:5432/postgres"
  fi
}

ensure_mariadb() {
  if ! _port_open 3306; then
    command -v mariadbd >/dev/null || _apt mariadb-server
    _svc_log "starting MariaDB"
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    _wait_port 3306 || { _svc_log "MariaDB did not start"; return 1; }
  fi
  if mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
    export ALBATROSS_TEST_MYSQL_URL="mysql+pymysql://root@127.0.0.1:3306/mysql"
  else  # root authenticates by socket only: make a test user through the socket
    mariadb -uroot -e "CREATE USER IF NOT EXISTS 'albatross_test'@'127.0.0.1' IDENTIFIED BY 'albatross'; GRANT ALL ON *.* TO 'albatross_test'@'127.0.0.1' WITH GRANT OPTION"
    export ALBATROSS_TEST_MYSQL_URL="mysql+pymysql://albatross_test:albatross@127.0.0.1:3306/mysql"
  fi
}

ensure_rabbitmq() {
  _port_open 5672 && return 0
  command -v rabbitmq-server >/dev/null || [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] || _apt rabbitmq-server
  _svc_log "starting RabbitMQ"
  rabbitmq-server -detached >/dev/null 2>&1 || /usr/lib/rabbitmq/bin/rabbitmq-server -detached
  _wait_port 5672 || { _svc_log "RabbitMQ did not start"; return 1; }
  sleep 2  # the port opens a moment before the broker accepts logins
}

ensure_chromium() {  # the dashboard's browser tests drive Debian's headless Chromium
  if ! command -v chromium >/dev/null; then
    _svc_log "installing Chromium for the browser tests"
    _apt chromium
  fi
  export ALBATROSS_TEST_CHROMIUM="$(command -v chromium)"
}
