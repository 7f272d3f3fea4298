#UseStrict
