"""Operations commands that look across every stage (check_files). It sits on top of the stages:
it may import all of them, and none imports it."""
