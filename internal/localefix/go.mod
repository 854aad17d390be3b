module aa.keytag.local/localefix

go 1.26
