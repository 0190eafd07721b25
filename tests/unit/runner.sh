#!/bin/sh
# Generate the check runner for one library: tests/unit/LIB/NAME.c must
# define Suite *suite_NAME(void) (a "-" in the file name is "_" in NAME).
# Prints C on stdout.
lib=$1; shift
echo '#include <check.h>'
echo '#include <stdio.h>'
for f in "$@"; do n=$(basename "$f" .c | tr - _); echo "Suite *suite_$n(void);"; done
echo 'int main(void)'
echo '{'
echo "	SRunner *sr = srunner_create(NULL);"
for f in "$@"; do n=$(basename "$f" .c | tr - _); echo "	srunner_add_suite(sr, suite_$n());"; done
echo '	srunner_run_all(sr, CK_NORMAL);'
echo '	int run = srunner_ntests_run(sr), failed = srunner_ntests_failed(sr);'
echo '	srunner_free(sr);'
echo "	printf(\"unit-$lib: %d passed, %d failed\\\\n\", run - failed, failed);"
echo '	return failed ? 1 : 0;'
echo '}'
