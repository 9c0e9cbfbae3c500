# Builds every executable of the platform into one image; docker-compose.yml runs one container
# per consumer group from it, choosing the executable with `command`.
FROM swift:6.1-bookworm AS build
WORKDIR /src
COPY scripts ./scripts
# librdkafka >= 2.8 into /src/.local/prefix (bookworm's 2.0.2 is too old), plus the -dev packages.
RUN FB_SETUP_ONLY=libraries scripts/setup.sh
COPY . .
RUN . scripts/env.sh && swift build -c release --static-swift-stdlib \
    && mkdir -p /out/bin /out/lib \
    && cp "$(swift build -c release --show-bin-path)"/foodbank-ctl "$(swift build -c release --show-bin-path)"/relay-check \
       "$(swift build -c release --show-bin-path)"/cdc "$(swift build -c release --show-bin-path)"/sftp-watcher \
       "$(swift build -c release --show-bin-path)"/simulator \
       "$(swift build -c release --show-bin-path)"/normalize \
       "$(swift build -c release --show-bin-path)"/dedupe "$(swift build -c release --show-bin-path)"/reconcile "$(swift build -c release --show-bin-path)"/dq "$(swift build -c release --show-bin-path)"/nightly /out/bin/ \
    && cp -P .local/prefix/lib/librdkafka.so* /out/lib/

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpq5 libjansson4 libssh2-1 liblz4-1 libzstd1 libssl3 libsasl2-2 libcurl4 zlib1g ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 foodbank
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/lib/ /opt/foodbank/lib/
COPY topics /opt/foodbank/topics
ENV LD_LIBRARY_PATH=/opt/foodbank/lib FOODBANK_TOPICS_FILE=/opt/foodbank/topics/topics.json
USER foodbank
