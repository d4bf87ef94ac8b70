# Sourced by .ci/run: puts Node 24 (Lambda's runtime, nodejs24.x) first on PATH.
# Where the machine's Node is older than 22, Node itself comes from the npm registry
# (node-linux-<arch> ships the binary in bin/node), cached under .cache/.
NODE_WANTED=24.22.3

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(node_major)" -lt 22 ]; then
  case "$(uname -m)" in
    x86_64) node_arch=x64 ;;
    aarch64 | arm64) node_arch=arm64 ;;
    *) echo "No Node $NODE_WANTED package for $(uname -m): install Node 22+ yourself" >&2; exit 1 ;;
  esac
  node_dir="$PWD/.cache/node-v$NODE_WANTED-linux-$node_arch"
  if [ ! -x "$node_dir/bin/node" ]; then
    rm -rf "$node_dir.tmp" && mkdir -p "$node_dir.tmp"
    (cd "$node_dir.tmp" && npm pack --silent "node-linux-$node_arch@$NODE_WANTED" >/dev/null && tar xzf ./*.tgz --strip-components=1 && rm ./*.tgz)
    rm -rf "$node_dir" && mv "$node_dir.tmp" "$node_dir"
  fi
  export PATH="$node_dir/bin:$PATH"
fi
echo "Node $(node --version) (npm $(npm --version))"
