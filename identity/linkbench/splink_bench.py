"""Splink on the generated survey, as its tutorials configure it (deduplication of one
table, unsupervised Fellegi-Sunter with EM, duckdb backend). Usage: splink_bench.py IN OUT.
Reads IN (unique_id, first_name, surname, area, age_band, household, role), writes OUT
(unique_id, cluster_id) and prints the seconds Splink took, elapsed and processor time."""
import csv
import logging
import sys
import time

import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def main(src, dst):
    start, cpu = time.perf_counter(), time.process_time()
    db = DuckDBAPI()
    df = db.register_from_csv(src)
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "area"),
            block_on("first_name", "area"),
            block_on("role", "area"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.ExactMatch("area").configure(term_frequency_adjustments=True),
            cl.ExactMatch("age_band"),
            cl.ExactMatch("household"),
            cl.ExactMatch("role"),
        ],
    )
    linker = Linker(df, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "area")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("area"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, 0.95)
    rows = clusters.as_record_list()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    with open(dst, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["unique_id", "cluster_id"])
        for r in rows:
            w.writerow([r["unique_id"], r["cluster_id"]])
    print(f"{elapsed:.3f} {cpu:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
