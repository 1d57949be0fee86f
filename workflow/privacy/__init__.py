"""Personal data under Taiwan's 個人資料保護法 (Personal Data Protection Act): the notice a
person accepts, their own data on request, correction, stopping and deletion with the Act's
clocks, need-to-know, the access log, retention and the breach drill."""
