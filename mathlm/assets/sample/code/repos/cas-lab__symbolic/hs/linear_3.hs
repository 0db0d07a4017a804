module Main where

import Data.Complex

-- | Power iteration for the dominant eigenvalue.
steps :: Int
steps = 160

main :: IO ()
main = print steps
