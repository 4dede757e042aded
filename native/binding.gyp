{
  "targets": [
    {
      "target_name": "mlpkit_native",
      "sources": ["src/addon.c", "src/pool.c", "src/sgemm.c"],
      "cflags": ["-O3", "-ffp-contract=off", "-fno-math-errno", "-pthread", "-Wall", "-Wextra"],
      "ldflags": ["-pthread"],
      "conditions": [
        ["OS == 'mac'", {
          "defines": ["MLPKIT_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "libraries": ["-framework Accelerate"]
        }, {
          "cflags": ["<!@(pkg-config --cflags openblas)"],
          "libraries": ["<!@(pkg-config --libs openblas)"]
        }]
      ]
    }
  ]
}
