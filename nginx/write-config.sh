#!/usr/bin/env bash
# Writes a complete nginx.conf into PREFIX around a server block of this folder (nozzle.conf unless
# SERVER_BLOCK names another), with its port and sockets replaced: for running nginx from a temporary
# prefix (nginx/run.sh, the tests). Other sockets under /run/nozzle/ move into PREFIX.
#
# Usage: [SERVER_BLOCK=two-backends.conf] nginx/write-config.sh PREFIX PORT APP_ADDRESS [EXTRA_LOCATION_DIRECTIVES]
#   APP_ADDRESS is the app's unix socket path, or HOST:PORT for nozzle-tcp.conf.
set -euo pipefail
prefix=$1 port=$2 socket=$3 extra=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$prefix/logs" "$prefix/tmp"
cp /etc/nginx/fastcgi_params "$prefix/fastcgi_params"
sed -e "s|unix:/run/nozzle/app.sock|unix:$socket|" \
    -e "s|server 127.0.0.1:9000;|server $socket;|" \
    -e "s|listen 8080;|listen 127.0.0.1:$port;|" \
    -e "s|unix:/run/nozzle/|unix:$prefix/|" \
    -e "s|\(fastcgi_pass nozzle_[a-z]*;\)|\1$extra|" \
    "$here/${SERVER_BLOCK:-nozzle.conf}" > "$prefix/server.conf"
cat > "$prefix/nginx.conf" <<CONF
worker_processes 1;
# Room for thousands of waiting requests: a client connection and an app connection each.
worker_rlimit_nofile 32768;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log info;
events { worker_connections 16384; }
http {
    access_log $prefix/logs/access.log;
    client_body_temp_path $prefix/tmp/body;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    proxy_temp_path $prefix/tmp/proxy;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    include $prefix/server.conf;
}
CONF
