# syntax=docker/dockerfile:1
# Multi-stage: build a static binary (pure-Go SQLite, no cgo), run it as a non-root user in a
# minimal image with the database on a volume.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hubadmin ./cmd/hubadmin \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hubadmin /usr/local/bin/hubadmin
COPY --from=build --chown=nonroot:nonroot /out/data /data
USER nonroot:nonroot
ENV HUBADMIN_ADDR=0.0.0.0:8080 \
    HUBADMIN_DB=/data/hubadmin.db
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["/usr/local/bin/hubadmin", "-healthcheck"]
ENTRYPOINT ["/usr/local/bin/hubadmin"]
