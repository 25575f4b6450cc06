#!/usr/bin/env bash
# Tries the Apache piped-logger recipe of docs/operations.md for real: Apache on 127.0.0.1:8089
# with
#   CustomLog "|logscrub -o DIR/access.log --pid-file DIR/logscrub.pid" combined
# then requests, a logrotate-style move + SIGHUP to the process the pid file names (never every
# logscrub on the host), a graceful restart and a stop.
# Needs root and Debian's apache2 (apt-get install apache2). Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release --quiet
install -m 755 target/release/logscrub /usr/local/bin/logscrub
dir=$(mktemp -d)
cat > /etc/apache2/sites-available/logscrub-try.conf <<CONF
Listen 127.0.0.1:8089
<VirtualHost 127.0.0.1:8089>
    DocumentRoot /var/www/html
    CustomLog "|/usr/local/bin/logscrub -o $dir/access.log --pid-file $dir/logscrub.pid" combined
</VirtualHost>
CONF
a2ensite -q logscrub-try >/dev/null
apache2ctl start
trap 'apache2ctl stop; a2dissite -q logscrub-try >/dev/null; rm -f /etc/apache2/sites-available/logscrub-try.conf' EXIT
sleep 1
curl -s -o /dev/null -u frank:hunter2 -e "https://mail.example.com/inbox?email=jane@example.org" \
    "http://127.0.0.1:8089/login?user=frank&password=hunter2&page=2"
sleep 0.5
grep -q 'GET /login?user=REDACTED&password=REDACTED&page=2' "$dir/access.log"
grep -q '"https://mail.example.com/inbox"' "$dir/access.log"
! grep -q 'frank\|hunter2\|jane' "$dir/access.log"
mv "$dir/access.log" "$dir/access.log.1"
kill -HUP "$(cat "$dir/logscrub.pid")"
curl -s -o /dev/null "http://127.0.0.1:8089/after-rotate?sid=1"
sleep 0.5
grep -q 'after-rotate?sid=REDACTED' "$dir/access.log"
apache2ctl graceful
sleep 1
curl -s -o /dev/null "http://127.0.0.1:8089/after-graceful"
sleep 0.5
grep -q 'after-graceful' "$dir/access.log"
# The logscrub Apache started anew wrote its own pid.
kill -0 "$(cat "$dir/logscrub.pid")"
logscrub check "$dir/access.log" "$dir/access.log.1"
echo "apache recipe: ok"
