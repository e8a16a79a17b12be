#!/usr/bin/env bash
# Makes a new Nozzle app: a package in a new folder with Package.swift, main.swift, api/hello.swift,
# a test that calls the route in-process with TestClient, a .gitignore and a README. The package
# builds with no warnings and its test passes as it is.
#
# Usage: scripts/new-app.sh DIRECTORY [--nozzle-path PATH | --nozzle-url URL --from VERSION]
#   DIRECTORY      the new folder; its name is the app's name (letters, digits, - and _)
#   --nozzle-path  depend on the Nozzle checkout at PATH (the default: this one)
#   --nozzle-url   depend on Nozzle by its git URL, from VERSION on
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
usage() { echo "usage: scripts/new-app.sh DIRECTORY [--nozzle-path PATH | --nozzle-url URL --from VERSION]" >&2; exit 2; }

directory= nozzle_path=$here nozzle_url= version=
while [[ $# -gt 0 ]]; do
  case $1 in
    --nozzle-path) [[ $# -ge 2 ]] || usage; nozzle_path=$(cd "$2" && pwd); shift 2 ;;
    --nozzle-url) [[ $# -ge 2 ]] || usage; nozzle_url=$2; shift 2 ;;
    --from) [[ $# -ge 2 ]] || usage; version=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "new-app: unknown option $1" >&2; usage ;;
    *) [[ -z $directory ]] || usage; directory=$1; shift ;;
  esac
done
[[ -n $directory ]] || usage
if [[ -n $nozzle_url && -z $version ]]; then echo "new-app: --nozzle-url needs --from VERSION, such as --from 1.0.0" >&2; exit 2; fi
name=$(basename "$directory")
if [[ ! $name =~ ^[A-Za-z][A-Za-z0-9_-]*$ ]]; then
  echo "new-app: '$name' cannot name an app: start with a letter, then letters, digits, - or _" >&2
  exit 2
fi
if [[ -e $directory && -n $(ls -A "$directory" 2>/dev/null) ]]; then
  echo "new-app: $directory exists and is not empty" >&2
  exit 1
fi
[[ -f $nozzle_path/Package.swift ]] || { echo "new-app: no Nozzle package at $nozzle_path" >&2; exit 1; }
module=${name//-/_}

if [[ -n $nozzle_url ]]; then
  identity=$(basename "$nozzle_url" .git | tr '[:upper:]' '[:lower:]')
  dependency=".package(url: \"$nozzle_url\", from: \"$version\")"
else
  identity=Nozzle
  dependency=".package(name: \"Nozzle\", path: \"$nozzle_path\")"
fi

mkdir -p "$directory/Sources/$name/api" "$directory/Tests/${name}Tests"

cat > "$directory/Package.swift" <<EOF
// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "$name",
    dependencies: [
        $dependency,
    ],
    targets: [
        // The app: main.swift, and the api/ folder that the NozzleRoutes plugin compiles into its
        // route table when you build. The folder is excluded because the plugin compiles it.
        .executableTarget(
            name: "$name",
            dependencies: [.product(name: "NozzleFastCGI", package: "$identity")],
            exclude: ["api"],
            plugins: [.plugin(name: "NozzleRoutes", package: "$identity")]
        ),
        .testTarget(
            name: "${name}Tests",
            dependencies: [
                "$name",
                .product(name: "NozzleFastCGI", package: "$identity"),
                .product(name: "NozzleTesting", package: "$identity"),
            ]
        ),
    ]
)
EOF

cat > "$directory/Sources/$name/main.swift" <<'EOF'
import NozzleFastCGI

// Serves the routes of api/: behind nginx, on a socket of its own (--listen), or as a CGI program.
// `--help` lists every option; `routes` prints the route table.
App(routes: .generated).main()
EOF

cat > "$directory/Sources/$name/api/hello.swift" <<'EOF'
import Nozzle

/// A greeting: this file's path, api/hello.swift, makes it `/api/hello`.
enum Hello: APIRoute {
    /// `GET /api/hello?name=Ada`: `{"message":"Hello, Ada!"}`, or "World" without a name.
    static func GET(_ req: Request, _ res: Response) async throws {
        res.json(["message": .string("Hello, \(req.query["name"] ?? "World")!")])
    }
}
EOF

cat > "$directory/Tests/${name}Tests/HelloTests.swift" <<EOF
import NozzleFastCGI
import NozzleTesting
import Testing
@testable import $module

/// The routes, called in-process: no socket, no nginx.
struct HelloTests {
    let client = TestClient(app: App(routes: .generated))

    @Test func greetsTheWorld() async {
        let response = await client.request("GET", "/api/hello")
        #expect(response.status == 200)
        #expect(response.json == ["message": "Hello, World!"])
    }

    @Test func greetsByName() async {
        let response = await client.request("GET", "/api/hello?name=Ada")
        #expect(response.json == ["message": "Hello, Ada!"])
    }

    @Test func otherMethodsGet405() async {
        let response = await client.request("DELETE", "/api/hello")
        #expect(response.status == 405)
        #expect(response.headers["Allow"] == "GET, HEAD")
    }
}
EOF

cat > "$directory/.gitignore" <<'EOF'
.build/
.build-*/
Package.resolved
.swiftpm/
EOF

cat > "$directory/README.md" <<EOF
# $name

A Nozzle app (Nozzle: ${nozzle_url:-$nozzle_path}): Swift API routes behind nginx. Each file under
\`Sources/$name/api/\` is a route: \`api/hello.swift\` serves \`/api/hello\`, and
\`api/users/[id].swift\` would serve \`/api/users/42\`, with \`params(req).id\` typed.

\`\`\`sh
swift build       # route clashes are build errors that name the files
swift test        # Tests/${name}Tests: the routes called in-process, no server
swift run $name call GET /api/hello
# Behind nginx on http://127.0.0.1:8080; every save rebuilds and reloads, dropping no request:
$nozzle_path/nginx/run.sh $(cd "$directory" && pwd) --watch
\`\`\`

In production: \`swift build -c release\`, then \`.build/release/$name --listen unix:/run/$name/app.sock
--processes 4\` behind nginx; Nozzle's docs/deploying.md has every setup.
EOF

echo "Made $directory: the app $name, depending on Nozzle ${nozzle_url:-at $nozzle_path}."
echo "Next:"
echo "  cd $directory && swift test"
echo "  $nozzle_path/nginx/run.sh $(cd "$directory" && pwd) --watch"
