"""The office's paperwork: measurement, the storeroom, who pays, and the documents
(reports, the ledger, the settlement, the repair form)."""
