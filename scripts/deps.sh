# Sourced by scripts/serve.sh and scripts/test.sh: installs Debian packages where a command
# or library is missing, in one apt-get run.
#
#   want COMMAND PACKAGE      the package, if COMMAND is not on the PATH
#   want_build_tools          what `cargo build` of bext needs
#   install_wanted            installs everything wanted so far (with sudo when not root)

wanted=()

want() {
    command -v "$1" >/dev/null || wanted+=("$2")
}

want_build_tools() {
    # A C compiler and make: jemalloc (the binary's allocator) is built from its source.
    want cc build-essential
    want make make
    want pkg-config pkg-config
    # quiche builds BoringSSL with cmake, and bindgen needs libclang (Debian's clang brings it).
    want cmake cmake
    want clang clang
    # The eBPF programs (shards/bpf/c) compile with clang -target bpf against libbpf's
    # helper headers; without them bext builds and runs without its XDP/eBPF layer.
    [ -f /usr/include/bpf/bpf_helpers.h ] || wanted+=(libbpf-dev)
    command -v ip >/dev/null || wanted+=(iproute2)
    # JavaScriptCore's C API, the JIT engine (without it bext builds with QuickJS alone).
    pkg-config --exists javascriptcoregtk-4.1 2>/dev/null || wanted+=(libjavascriptcoregtk-4.1-dev)
}

install_wanted() {
    [ ${#wanted[@]} -gt 0 ] || return 0
    printf '\n=== installing %s\n' "${wanted[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -qq "${wanted[@]}" >/dev/null 2>&1 || {
        $sudo apt-get update -qq >/dev/null
        $sudo apt-get install -y -qq "${wanted[@]}" >/dev/null
    }
    wanted=()
}
