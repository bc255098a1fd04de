namespace EdgeGuard.Filter;
