# Shared by the side-by-side scripts (sourced, not run): a work directory nginx's workers can
# read, a certificate, servers in process groups of their own, readiness and medians.

# Makes $work (removed at exit with every server started by `start`). nginx's workers run as
# nobody: the directory must be readable to them, or nginx answers 403 and is measured doing so.
setup_work() {
    work="$(mktemp -d)"
    chmod 755 "$work"
    groups=()
    trap stop_all EXIT
}

# Each server runs in a process group of its own, killed whole: nginx's workers outlive a
# killed master otherwise, holding their ports.
stop_group() { kill -s KILL -- "-$1" 2>/dev/null || true; }
stop_all() {
    for g in "${groups[@]}"; do stop_group "$g"; done
    rm -rf "$work"
}

# `start CPU CMD...`: runs CMD pinned to CPU in a new process group; its pid in $started.
start() {
    local cpu="$1"
    shift
    setsid taskset -c "$cpu" "$@" >/dev/null 2>&1 &
    started=$!
    # Killed on purpose at the end: no job-control notice for it.
    disown "$started"
    groups+=("$started")
}

# An ECDSA P-256 certificate for localhost: $work/cert.pem, $work/key.pem.
make_cert() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost \
        -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
}

# `wait_ok URL [CURL FLAGS...]`: until URL answers 2xx (10 s at most), or fail saying so.
wait_ok() {
    local url="$1"
    shift
    for _ in $(seq 1 200); do
        curl -skf "$@" -o /dev/null "$url" && return 0
        sleep 0.05
    done
    echo "no 2xx answer from $url" >&2
    cat "$work/nginx-error.log" >&2 2>/dev/null || true
    exit 1
}

# The median of the numbers on stdin, one a line.
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# `ratio A B`: A/B as "1.23x".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a/b}'; }
