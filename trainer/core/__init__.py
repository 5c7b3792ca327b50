"""What every layer shares: the pydantic base model and the aware-datetime guard."""
