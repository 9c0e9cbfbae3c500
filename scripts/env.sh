# Source this to build and run against the project-local librdkafka: `source scripts/env.sh`.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
