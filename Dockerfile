# Failover in a container: one self-contained binary on the runtime's minimal base image, run as a non-root user.
#   docker build -t failover .
#   docker run --read-only --tmpfs /tmp -v failover-data:/var/lib/failover \
#     -v ./deploy/failover.compose.json:/etc/failover/failover.json:ro -v ./deploy/keys:/run/secrets/failover:ro failover
# The key is a mounted secret (a file, mode 0400, owned by the container's user), never an image layer or a variable.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG RID=linux-x64
WORKDIR /src
COPY . .
RUN dotnet publish src/Failover.Host/Failover.Host.csproj -c Release -r $RID --self-contained true -p:PublishSingleFile=true -p:RestoreLockedMode=true -o /out

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/failover /usr/local/bin/failover
# The SQLite store (when used) lives on a volume; the root filesystem can be mounted read-only.
WORKDIR /var/lib/failover
RUN mkdir -p /var/lib/failover && chown app:app /var/lib/failover
VOLUME /var/lib/failover
USER app
# A 4 MB first-generation budget: the runtime sizes it from the CPU's L3 cache otherwise (docs/performance.md).
# The single-file binary unpacks its native library (SQLite) at first start: into the /tmp tmpfs, as the root is read-only.
ENV DOTNET_GCgen0size=0x400000 \
    DOTNET_BUNDLE_EXTRACT_BASE_DIR=/tmp/.net \
    DOTNET_NOLOGO=1
EXPOSE 5080
ENTRYPOINT ["/usr/local/bin/failover"]
CMD ["run", "--config", "/etc/failover/failover.json", "--urls", "http://0.0.0.0:5080"]
