-- CreateTable
CREATE TABLE "server_instances" (
    "id" UUID NOT NULL,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeat_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "server_instances_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "live_connections" (
    "id" UUID NOT NULL,
    "instance_id" UUID NOT NULL,
    "token_id" TEXT,
    "address" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "opened_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "live_connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_windows" (
    "key" TEXT NOT NULL,
    "window_start" BIGINT NOT NULL,
    "hits" INTEGER NOT NULL,

    CONSTRAINT "rate_windows_pkey" PRIMARY KEY ("key","window_start")
);

-- CreateIndex
CREATE INDEX "server_instances_expires_at_idx" ON "server_instances"("expires_at");

-- CreateIndex
CREATE INDEX "live_connections_token_id_idx" ON "live_connections"("token_id");

-- CreateIndex
CREATE INDEX "live_connections_address_idx" ON "live_connections"("address");

-- CreateIndex
CREATE INDEX "live_connections_instance_id_idx" ON "live_connections"("instance_id");

-- CreateIndex
CREATE INDEX "rate_windows_window_start_idx" ON "rate_windows"("window_start");

-- AddForeignKey
ALTER TABLE "live_connections" ADD CONSTRAINT "live_connections_instance_id_fkey" FOREIGN KEY ("instance_id") REFERENCES "server_instances"("id") ON DELETE CASCADE ON UPDATE CASCADE;
