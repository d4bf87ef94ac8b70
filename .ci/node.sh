# Node 24, the Node of Lambda's nodejs24.x, the one way this project gets it:
#   source .ci/node.sh      puts it first on PATH and prints its version (.ci/run does this)
#   bash .ci/node.sh --which  prints the path of its `node` (the e2e suite's global setup runs
#                           the offline runtime with it when the host's Node is another major)
# The machine's own Node is used when it is already 24; otherwise Node comes from the npm
# registry (node-linux-<arch> ships the binary in bin/node), cached under .cache/.
NODE_WANTED=24.22.3

# Prints the bin/ directory of a Node ${NODE_WANTED%%.*}, fetching it when the machine has none.
node_bin_dir() {
  local system major arch dir
  system="$(command -v node || true)"
  major="$([ -n "$system" ] && "$system" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$major" = "${NODE_WANTED%%.*}" ]; then
    dirname "$system"
    return
  fi
  case "$(uname -sm)" in
    "Linux x86_64") arch=x64 ;;
    "Linux aarch64" | "Linux arm64") arch=arm64 ;;
    *) echo "No node-linux package for $(uname -sm): install Node ${NODE_WANTED%%.*} yourself (e.g. nvm install 24)" >&2; return 1 ;;
  esac
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node-v$NODE_WANTED-linux-$arch"
  if [ ! -x "$dir/bin/node" ]; then
    echo "Fetching Node $NODE_WANTED (node-linux-$arch) into ${dir#"$PWD"/} ..." >&2
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" || return 1
    (cd "$dir.tmp" && npm pack --silent "node-linux-$arch@$NODE_WANTED" >/dev/null && tar xzf ./*.tgz --strip-components=1 && rm ./*.tgz) || return 1
    rm -rf "$dir" && mv "$dir.tmp" "$dir" || return 1
  fi
  echo "$dir/bin"
}

if [ "${1:-}" = "--which" ]; then
  node_bin="$(node_bin_dir)" && echo "$node_bin/node"
else
  # No `exit` anywhere: sourced from an interactive shell, a failure must not close it.
  node_bin="$(node_bin_dir)" && export PATH="$node_bin:$PATH" && echo "Node $(node --version) (npm $(npm --version))"
fi
