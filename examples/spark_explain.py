#!/usr/bin/env python3
"""Explain a Spark DataFrame with neuralize, one Explainer per partition (local mode).

    pip install ./bindings/python "pyspark>=4" "pandas<3" pyarrow
    SPARK_LOCAL_IP=127.0.0.1 python examples/spark_explain.py \
        models/ocsvm_breast_cancer.json models/ocsvm_breast_cancer.input.csv out_dir

Reads the CSV into Spark, explains it with `mapInPandas` and with `mapInArrow` (same
result), checks both against `neuralize.Explainer` on the same rows in this process, and
writes the mapInPandas result as CSV part files into out_dir. On a cluster: install the
neuralize wheel on every node (or ship a packed virtualenv), and pass the model file's
*text* to the helpers, as here: each task builds its own Explainer from it.
"""

import sys

import numpy as np


def main(model_path, input_csv, out_dir):
    import os

    # Local mode: the workers run this interpreter (with neuralize installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    import neuralize
    from neuralize.spark import explain_in_arrow, explain_in_pandas, output_schema

    spark = (SparkSession.builder.master("local[2]").appName("neuralize")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        text = open(model_path).read()
        df = spark.read.csv(input_csv, header=True, inferSchema=True)
        from pyspark.sql import functions as F

        df = df.withColumn("row_id", F.monotonically_increasing_id()).repartition(3)
        keep = ["row_id"]
        schema = output_schema(text, df.schema, keep=keep)
        by_pandas = df.mapInPandas(explain_in_pandas(text, keep=keep), schema=schema)
        by_arrow = df.mapInArrow(explain_in_arrow(text, keep=keep), schema=schema)
        a = by_pandas.toPandas().sort_values("row_id").reset_index(drop=True)
        b = by_arrow.toPandas().sort_values("row_id").reset_index(drop=True)
        ex = neuralize.load(model_path)
        rows = df.toPandas().sort_values("row_id").reset_index(drop=True)
        local = ex.explain(rows.drop(columns=keep)).to_pandas()
        for got in (a, b):
            np.testing.assert_array_equal(got.drop(columns=keep).to_numpy(), local.to_numpy())
        by_pandas.write.mode("overwrite").csv(out_dir, header=True)
        print("explained %d rows in %d partitions; mapInPandas == mapInArrow == in-process"
              % (len(a), df.rdd.getNumPartitions()))
    finally:
        spark.stop()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
