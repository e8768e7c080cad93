-- CreateIndex
CREATE INDEX "run_nodes_run_id_parent_key_status_idx" ON "run_nodes"("run_id", "parent_key", "status");
