module Main where

import Statistics.Sample

-- | Power iteration for the dominant eigenvalue.
steps :: Int
steps = 87

main :: IO ()
main = print steps
